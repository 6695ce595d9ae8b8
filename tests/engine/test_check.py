"""Static checks of interview scripts: every problem a script editor can make, named by
``file:line: message`` with the right file and line.

Each case writes a small, clean script set (``BASE``: a profile, the group rules, one
module and a measure catalog) into ``tmp_path``, breaks one thing and compares the
problems found with the expected ones. Expected lines are found by a marker: the text of
the line the problem must point to, which has to occur exactly once in its file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tui.engine.loader import load_bundle
from tui.engine.model import Problem
from tui.paths import scripts_dir

P, G, M, X = "profile.yaml", "groups.yaml", "modules/mother_preschool.yaml", "measures.yaml"

BASE = {
    P: """\
kind: profile
id: profile
version: 1
title: Профилирование клиента
consent:
  version: "2026-11"
  text: Согласие на обработку персональных данных.
sections:
  - id: client
    title: Сведения о клиенте
    questions:
      - id: consent_pd
        type: yes_no
        ask: Клиент подписал согласие на обработку персональных данных?
        validate:
          - rule: value
            message: Без согласия интервью не проводится.
      - id: last_name
        type: text
        ask: Фамилия клиента
        max_length: 60
      - id: birth_date
        type: date
        ask: Дата рождения клиента
        max: today
      - id: sex
        type: choice
        ask: Пол клиента
        choices:
          - {value: female, label: Женский}
          - {value: male, label: Мужской}
  - id: family
    title: Дети
    questions:
      - id: children_count
        type: integer
        ask: Сколько у клиента детей?
        min: 0
        max: params.max_children
      - id: youngest_child_birth_date
        type: date
        when: children_count > 0
        ask: Дата рождения младшего ребёнка
        max: today
        validate:
          - rule: value > birth_date
            message: "Ребёнок не может родиться раньше клиента ({{ birth_date | ru_date }})."
""",
    G: """\
kind: groups
id: groups
version: 1
title: Правила клиентских групп
params:
  max_children: 20
  preschool_child_max_age: 7
groups:
  - id: mother_preschool
    title: Женщина с детьми дошкольного возраста
    rule: >-
      sex == 'female' and children_count > 0
      and age(youngest_child_birth_date) <= params.preschool_child_max_age
    because: Младшему ребёнку {{ age(youngest_child_birth_date) }} (дошкольный возраст).
    source: федеральный проект «Содействие занятости»
""",
    M: """\
kind: module
id: mother_preschool
version: 1
title: Анализ жизненной ситуации
group: mother_preschool
order: 40
sections:
  - id: life_situation
    title: Жизненная ситуация
    questions:
      - id: salary_importance
        type: choice
        ask: Насколько для клиента важен размер заработной платы?
        choices:
          - {value: decisive, label: Главное условие}
          - {value: important, label: Важен}
          - {value: secondary, label: Не главное}
      - id: desired_salary
        type: integer
        when: salary_importance in ['decisive', 'important']
        required: false
        ask: Минимальная заработная плата (руб. в месяц)
        min: 0
      - id: relatives_help
        type: choice
        ask: Могут ли родственники присматривать за ребёнком?
        choices:
          - {value: regular, label: "Да, регулярно"}
          - {value: none, label: Нет}
      - id: ready_to_study
        type: yes_no
        ask: Готова ли клиент пройти обучение?
      - id: study_direction
        type: choice
        when: ready_to_study
        ask: Какое обучение интересно клиенту?
        choices:
          - {value: related, label: По смежной профессии}
          - {value: new_demanded, label: По новой востребованной профессии}
""",
    X: """\
kind: measures
id: measures
version: 1
title: Каталог мер
measures:
  - id: choose_path
    groups: [mother_preschool]
    text: Определение у клиента дальнейшего пути.
    client: Выбрать, где вы будете работать.
    responsible: both
    deadline_days: 0
  - id: choose_training
    groups: [mother_preschool]
    when: ready_to_study
    text: Подбор варианта обучения.
    client: Выбрать вместе с инспектором вариант обучения
    responsible: both
    deadline_days: 30
    detail: "{% if study_direction == 'related' %}По смежной профессии.{% endif %}"
""",
}

QUESTION_KEYS = (
    "ask, ask_client, choices, consent_for, desk_only, help, id, max, max_length, min, placeholder, "
    "required, special, type, validate, when"
)

#: A health section for the profile of ``BASE``: a separate consent and a question behind it.
FAMILY = "  - id: family\n"
HEALTH = """\
  - id: health
    title: Инвалидность
    questions:
      - id: consent_health
        type: yes_no
        consent_for: health
        ask: Клиент дал отдельное согласие на обработку сведений о здоровье?
      - id: disability_group
        type: choice
        special: health
        when: consent_health
        ask: Группа инвалидности
        choices:
          - {value: none, label: Инвалидности нет}
          - {value: II, label: II группа}
"""
ADD_HEALTH = (P, FAMILY, HEALTH + FAMILY)
NOT_WITHOUT_CONSENT = (
    "вопрос «disability_group» отмечен «special: health» (сведения о здоровье): его задают только "
    "после отдельного согласия — условие «when» вопроса или его раздела должно требовать "
    "«consent_health» («consent_health and …»)"
)


def write_base(root: Path) -> Path:
    for rel, text in BASE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel}: the text to replace must occur once: {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems_of(root: Path) -> list[str]:
    _, problems = load_bundle([root])
    return [str(p) for p in problems]


def test_the_base_set_is_clean(tmp_path):
    assert problems_of(write_base(tmp_path)) == []


def test_the_bundled_scripts_are_clean():
    bundle, problems = load_bundle([scripts_dir()])
    assert [str(p) for p in problems] == []
    assert bundle.profile is not None and bundle.groups and bundle.modules and bundle.measures


def test_a_problem_reads_file_line_message():
    assert str(Problem("scripts/profile.yaml", 12, "что не так")) == "scripts/profile.yaml:12: что не так"


# Each case: (edits as (file, old text, new text), expected as (file, marker, message)).
CASES = {
    # ------------------------------------------------------------------ consent first
    "the first profile question is not a yes/no consent": (
        [(P, "type: yes_no\n        ask: Клиент подписал", "type: text\n        ask: Клиент подписал")],
        [(P, "- id: consent_pd", "первый вопрос профилирования «consent_pd» должен быть обязательным "
          "вопросом да/нет о согласии на обработку персональных данных, без условия «when»")],
    ),
    "the consent question accepts «no»": (
        [(P, "          - rule: value\n            message: Без согласия интервью не проводится.\n", "")],
        [(P, "- id: consent_pd", "вопрос согласия «consent_pd» должен отказывать в ответе «нет»: "
          "добавьте правило «validate: - rule: value» с сообщением")],
    ),
    # ------------------------------------------------------------------ special categories
    "a health question behind its consent is fine": ([ADD_HEALTH], []),
    "a health question behind «consent == true and …» is fine": (
        [ADD_HEALTH, (P, "when: consent_health\n", "when: consent_health == true and sex == 'female'\n")],
        [],
    ),
    "a health question in a section that requires the consent is fine": (
        [ADD_HEALTH, (P, "      - id: disability_group\n        type: choice\n        special: health\n"
                         "        when: consent_health\n",
                      "  - id: disability\n    title: Группа инвалидности\n    when: sex and consent_health\n"
                      "    questions:\n      - id: disability_group\n        type: choice\n"
                      "        special: health\n")],
        [],
    ),
    "a health question asked without the health consent": (
        [ADD_HEALTH, (P, "when: consent_health\n", "when: sex == 'female'\n")],
        [(P, "when: sex == 'female'", NOT_WITHOUT_CONSENT)],
    ),
    "a health question asked when the consent is only one of the ways in": (
        [ADD_HEALTH, (P, "when: consent_health\n", "when: consent_health or sex == 'female'\n")],
        [(P, "when: consent_health or", NOT_WITHOUT_CONSENT)],
    ),
    "a health question without any condition": (
        [ADD_HEALTH, (P, "        when: consent_health\n", "")],
        [(P, "special: health\n        ask: Группа", NOT_WITHOUT_CONSENT)],
    ),
    "a health question with no consent question for health": (
        [ADD_HEALTH, (P, "        consent_for: health\n", "")],
        [(P, "special: health", "вопрос «disability_group» отмечен «special: health» (сведения о здоровье), "
          "но нет вопроса отдельного согласия на эту категорию: отметьте его «consent_for: health»")],
    ),
    "an unknown special category": (
        [ADD_HEALTH, (P, "special: health", "special: religion")],
        [(P, "special: religion", "«special»: неизвестная особая категория данных «religion» "
                                  "(допустимы: health)")],
    ),
    "a consent question that is not yes/no": (
        [ADD_HEALTH, (P, "        type: yes_no\n        consent_for: health\n",
                      "        type: text\n        consent_for: health\n")],
        [(P, "consent_for: health", "вопрос согласия («consent_for») должен быть типа yes_no")],
    ),
    "a consent question marked special itself": (
        [ADD_HEALTH,
         (P, "        consent_for: health\n", "        consent_for: health\n        special: health\n")],
        [(P, "special: health\n        ask: Клиент", "вопрос согласия «consent_health» сам не может быть "
                                                    "отмечен «special»")],
    ),
    "two consent questions for health": (
        [ADD_HEALTH, (P, "      - id: disability_group\n",
                      "      - id: consent_health_again\n        type: yes_no\n        consent_for: health\n"
                      "        ask: Ещё раз?\n      - id: disability_group\n")],
        [(P, "consent_for: health\n        ask: Ещё", "второй вопрос согласия на категорию «health» "
          "(первый: «consent_health», {profile.yaml}:{- id: consent_health\n})")],
    ),
    "a group that needs a consent no question records": (
        [(G, "    source: федеральный проект «Содействие занятости»\n",
          "    source: федеральный проект «Содействие занятости»\n    needs_consent: health\n")],
        [(G, "needs_consent: health", "группа «mother_preschool» требует согласия «needs_consent: health», "
          "но нет вопроса этого согласия: отметьте его «consent_for: health»")],
    ),
    "a group that needs the health consent, with its question": (
        [ADD_HEALTH, (G, "    source: федеральный проект «Содействие занятости»\n",
                      "    source: федеральный проект «Содействие занятости»\n    needs_consent: health\n"
                      "    because_not_assessed: Нет согласия {{ consent_health }}.\n")],
        [],
    ),
    "a group that needs an unknown category": (
        [(G, "    source: федеральный проект «Содействие занятости»\n",
          "    source: федеральный проект «Содействие занятости»\n    needs_consent: religion\n")],
        [(G, "needs_consent: religion", "«needs_consent»: неизвестная особая категория данных «religion» "
                                        "(допустимы: health)")],
    ),
    "desk_only that is not true or false": (
        [(P, "        max_length: 60\n", "        max_length: 60\n        desk_only: inspector\n")],
        [(P, "desk_only: inspector", "«desk_only» должен быть true или false, а не «inspector»")],
    ),
    # ------------------------------------------------------------------ YAML itself
    "yaml: a colon inside unquoted text": (
        [(M, "ask: Готова ли клиент пройти обучение?", "ask: Обучение: готова ли клиент?")],
        [(M, "ask: Обучение: готова",
          "это не YAML: двоеточие внутри текста без кавычек: возьмите текст в кавычки")],
    ),
    "yaml: a tab in the indentation": (
        [(P, "        ask: Фамилия клиента\n", "\task: Фамилия клиента\n")],
        [(P, "\task: Фамилия", "это не YAML: табуляция в отступе: делайте отступы пробелами")],
    ),
    "yaml: a key given twice": (
        [(P, "        max_length: 60\n", "        max_length: 60\n        max_length: 80\n")],
        [(P, "max_length: 80", "это не YAML: ключ «max_length» повторяется")],
    ),
    # ------------------------------------------------------------------ structure
    "unknown key (a typo)": (
        [(P, "max_length: 60", "max_lenght: 60")],
        [(P, "max_lenght", f"неизвестный ключ «max_lenght» в вопросе (допустимы: {QUESTION_KEYS})")],
    ),
    "unknown key in a measure": (
        [(X, "    deadline_days: 30\n", "    deadline: 30\n")],
        [(X, "deadline: 30", "неизвестный ключ «deadline» в мере (допустимы: action, baseline, client, "
                             "client_detail, commitment, deadline_days, detail, groups, id, "
                             "institutional, ongoing, responsible, text, when)")],
    ),
    "wrong type: required is not true/false": (
        [(M, "        required: false\n", '        required: "maybe"\n')],
        [(M, "required:", "«required» должен быть true или false, а не «maybe»")],
    ),
    "wrong type: ask is a list": (
        [(P, "ask: Фамилия клиента", "ask: [Фамилия, клиента]")],
        [(P, "ask: [Фамилия", "«ask» должен быть текстом, а не список")],
    ),
    "wrong type: version is text": (
        [(M, "version: 1", "version: первая")],
        [(M, "version:", "«version» должен быть целым числом, а не «первая»")],
    ),
    "wrong type: min is a list": (
        [(P, "        min: 0\n", "        min: [0]\n")],
        [(P, "min: [0]", "«min» должен быть выражением, а не список")],
    ),
    "wrong type: a question that is not a mapping": (
        [(P, "      - id: last_name\n", "      - last_name\n      - id: last_name\n")],
        [(P, "- last_name", "вопрос должен быть словарём (ключ: значение), а не «last_name»")],
    ),
    "missing required key": (
        [(M, "        ask: Могут ли родственники присматривать за ребёнком?\n", "")],
        [(M, "- id: relatives_help", "нет обязательного ключа «ask»")],
    ),
    "unknown question type": (
        [(P, "type: text", "type: string")],
        [(P, "type: string", "неизвестный тип вопроса «string» (допустимы: text, long_text, integer, "
                             "number, date, yes_no, choice, multi_choice, phone)")],
    ),
    "bad id": (
        [(P, "- id: last_name", "- id: Last-Name")],
        [(P, "Last-Name", "id «Last-Name»: только латинские строчные буквы, цифры и _")],
    ),
    "an id taken by a built-in name": (
        [(P, "- id: last_name", "- id: today")],
        [(P, "- id: today", "id «today» занят встроенным именем")],
    ),
    "min/max on a text question": (
        [(P, "        max_length: 60\n", "        max_length: 60\n        min: 2\n")],
        [(P, "min: 2", "границы min/max не применимы к вопросу типа «text»")],
    ),
    "choices on an integer question": (
        [(M, "        min: 0\n", "        min: 0\n        choices: [{value: a, label: А}]\n")],
        [(M, "choices: [{value: a", "варианты ответа не нужны вопросу типа «integer»")],
    ),
    "a choice value given twice": (
        [(M, "{value: none, label: Нет}", "{value: regular, label: Нет}")],
        [(M, "{value: regular, label: Нет}", "вариант «regular» повторяется")],
    ),
    "a choice value YAML turns into a boolean": (
        [(M, "{value: none, label: Нет}", "{value: no, label: Нет}")],
        [(M, "{value: no, label: Нет}", "значение варианта должно быть текстом, а не да/нет "
                                        "(yes/no/true/false в YAML — это да/нет: возьмите в кавычки)")],
    ),
    "a quoted yes/no choice value is fine": (
        [(M, "{value: none, label: Нет}", '{value: "no", label: Нет}')],
        [],
    ),
    "a choice question none of whose options can be read": (
        [(M, '{value: regular, label: "Да, регулярно"}', '{value: yes, label: "Да, регулярно"}'),
         (M, "{value: none, label: Нет}", "{value: no, label: Нет}")],
        [(M, '{value: yes, label: "Да', "значение варианта должно быть текстом, а не да/нет "
                                        "(yes/no/true/false в YAML — это да/нет: возьмите в кавычки)"),
         (M, "{value: no, label: Нет}", "значение варианта должно быть текстом, а не да/нет "
                                        "(yes/no/true/false в YAML — это да/нет: возьмите в кавычки)"),
         (M, 'choices:\n          - {value: yes', "у вопроса нет ни одного варианта ответа")],
    ),
    "a computed value of the groups file without «compute»": (
        [(G, "groups:\n  - id: mother_preschool",
          "compute:\n  - id: kids\n    note: без выражения\ngroups:\n  - id: mother_preschool")],
        [(G, "- id: kids", "нет обязательного ключа «compute»")],
    ),
    "responsible not client/centre/both": (
        [(X, "    responsible: both\n    deadline_days: 30",
          "    responsible: inspector\n    deadline_days: 30")],
        [(X, "responsible: inspector", "«responsible» должен быть одним из: client, centre, both")],
    ),
    "a measure without groups": (
        [(X, "  - id: choose_path\n    groups: [mother_preschool]\n", "  - id: choose_path\n")],
        [(X, "- id: choose_path", "у меры не указаны группы («groups»); мера для всех — «baseline: true»")],
    ),
    "a file without kind": (
        [(M, "kind: module\n", "")],
        [(M, "id: mother_preschool",
          "«kind» должен быть одним из: profile, module, groups, measures (сейчас: пустое значение)")],
    ),
    "a profile without consent": (
        [(P, "consent:\n  version: \"2026-11\"\n  text: Согласие на обработку персональных данных.\n", "")],
        [(P, "kind: profile", "у профилирования нет блока «consent» (согласие на обработку ПДн)")],
    ),
    # ------------------------------------------------------------------ ids and order
    "duplicate question id (names the first place)": (
        [(M, "      - id: study_direction\n",
          "      - id: sex\n        type: yes_no\n        ask: Повтор\n      - id: study_direction\n")],
        [(M, "- id: sex", "id «sex» повторяется (впервые: {profile.yaml}:{- id: sex})")],
    ),
    "duplicate measure id": (
        [(X, "- id: choose_training", "- id: choose_path")],
        [(X, "- id: choose_path\n    groups: [mother_preschool]\n    when",
          "мера «choose_path» повторяется (впервые: {measures.yaml}:{- id: choose_path\n    groups: "
          "[mother_preschool]\n    text})")],
    ),
    "condition names an unknown question": (
        [(P, "when: children_count > 0", "when: kids_count > 0")],
        [(P, "when: kids_count",
          "условие вопроса «youngest_child_birth_date»: неизвестный вопрос «kids_count»")],
    ),
    "condition names a question asked later (in a module)": (
        [(P, "when: children_count > 0", "when: children_count > 0 and ready_to_study")],
        [(P, "when: children_count", "условие вопроса «youngest_child_birth_date»: «ready_to_study» ещё не "
                                     "спрошен в этом месте интервью ({modules/mother_preschool.yaml}:"
                                     "{- id: ready_to_study})")],
    ),
    "condition names a question asked later (same file)": (
        [(P, "        ask: Фамилия клиента\n",
          "        ask: Фамилия клиента\n        when: sex == 'female'\n")],
        [(P, "when: sex", "условие вопроса «last_name»: «sex» ещё не спрошен в этом месте интервью "
                          "({profile.yaml}:{- id: sex})")],
    ),
    "a validate rule names a question asked later": (
        [(P, "rule: value > birth_date", "rule: value > birth_date and value < add_years(birth_date, 60)"
                                         " and salary_importance")],
        [(P, "rule: value > birth_date", "правило проверки «youngest_child_birth_date»: «salary_importance» "
                                         "ещё не спрошен в этом месте интервью "
                                         "({modules/mother_preschool.yaml}:{- id: salary_importance})")],
    ),
    "a group rule names a module question": (
        [(G, "sex == 'female' and", "sex == 'female' and ready_to_study and")],
        [(G, "rule: >-", "правило группы: «ready_to_study» ещё не спрошен в этом месте интервью "
                         "({modules/mother_preschool.yaml}:{- id: ready_to_study})")],
    ),
    "a computed value names an unknown question": (
        [(P, "      - id: youngest_child_birth_date\n",
          "      - id: has_children\n        compute: kids > 0\n      - id: youngest_child_birth_date\n")],
        [(P, "compute: kids", "«has_children»: неизвестный вопрос «kids»")],
    ),
    "a computed value names a question asked later": (
        [(P, "      - id: youngest_child_birth_date\n",
          "      - id: needs_help\n        compute: children_count > 0 and relatives_help == 'none'\n"
          "      - id: youngest_child_birth_date\n")],
        [(P, "compute: children_count", "«needs_help»: «relatives_help» ещё не спрошен в этом месте "
                                        "интервью ({modules/mother_preschool.yaml}:{- id: relatives_help})")],
    ),
    "a computed value read by a later condition is fine": (
        [(P, "      - id: youngest_child_birth_date\n        type: date\n        when: children_count > 0\n",
          "      - id: has_children\n        compute: children_count > 0\n"
          "      - id: youngest_child_birth_date\n        type: date\n        when: has_children\n")],
        [],
    ),
    "the profile reads groups before they are known": (
        [(P, "when: children_count > 0", "when: children_count > 0 and groups")],
        [(P, "when: children_count", "условие вопроса «youngest_child_birth_date»: «groups» здесь ещё не "
                                     "известны: клиентские группы определяются после профилирования")],
    ),
    "value outside a validate rule": (
        [(P, "when: children_count > 0", "when: value > 0")],
        [(P, "when: value", "условие вопроса «youngest_child_birth_date»: «value» (проверяемый ответ) есть "
                            "только в правилах проверки «validate»")],
    ),
    "a validate message names an unknown question": (
        [(P, "({{ birth_date | ru_date }})", "({{ birthdate | ru_date }})")],
        [(P, "message: \"Ребёнок", "текст ссылается на неизвестный вопрос «birthdate»")],
    ),
    "a measure condition names an unknown question": (
        [(X, "when: ready_to_study", "when: ready_to_studdy")],
        [(X, "when: ready_to_studdy",
          "условие меры «choose_training»: неизвестный вопрос «ready_to_studdy»")],
    ),
    "a measure detail names an unknown question": (
        [(X, "study_direction == 'related'", "direction == 'related'")],
        [(X, "detail:", "текст ссылается на неизвестный вопрос «direction»")],
    ),
    # ------------------------------------------------------------------ the catalog as plans merge it
    "a measure for the client without its words for the client": (
        [(X, "    client: Выбрать, где вы будете работать.\n", "")],
        [(X, "- id: choose_path", "мера «choose_path» для клиента, но без «client»: напишите шаг так, "
          "как его прочтёт клиент, простыми словами (или отметьте работу центра «institutional: true»)")],
    ),
    "the centre's own work needs no words for the client": (
        [(X, "    client: Выбрать, где вы будете работать.\n", "    institutional: true\n")],
        [],
    ),
    "a client text that does not compile": (
        [(X, "client: Выбрать вместе с инспектором вариант обучения",
          "client: \"{% if ready_to_study %}Выбрать обучение\"")],
        [(X, "client: \"{% if", "шаблон не разбирается: Unexpected end of template. Jinja was looking "
          "for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be "
          "closed is 'if'.")],
    ),
    "a client detail naming an unknown question": (
        [(X, "    client: Выбрать вместе с инспектором вариант обучения\n",
          "    client: Выбрать вместе с инспектором вариант обучения\n"
          "    client_detail: \"{{ study_directon }}\"\n")],
        [(X, "client_detail:", "текст ссылается на неизвестный вопрос «study_directon»")],
    ),
    "two measures of one action, the centre's own work and the client's": (
        [(X, "    client: Выбрать, где вы будете работать.\n",
          "    client: Выбрать, где вы будете работать.\n    action: choose\n    institutional: true\n"),
         (X, "    when: ready_to_study\n", "    when: ready_to_study\n    action: choose\n")],
        [(X, "action: choose\n    text: Подбор", "мера «choose_training» — шаг клиента, а «choose_path» "
          "({measures.yaml}:{- id: choose_path}) того же действия «choose» — работа центра "
          "(«institutional: true»): меры одного действия сливаются в одну и должны совпадать в "
          "«institutional»"),
         (X, "action: choose\n    text: Подбор", "мера «choose_training» со сроком («deadline_days»), а "
          "«choose_path» ({measures.yaml}:{- id: choose_path}) того же действия «choose» выполняется "
          "на приёме («deadline_days: 0»): меры одного действия сливаются в одну и должны совпадать "
          "в «ongoing» и в том, выполняются ли на приёме")],
    ),
    "two measures of one action, one without an end date": (
        [(X, "    deadline_days: 0\n", "    ongoing: until_employed\n    action: choose\n"),
         (X, "    when: ready_to_study\n", "    when: ready_to_study\n    action: choose\n")],
        [(X, "action: choose\n    text: Подбор", "мера «choose_training» со сроком («deadline_days»), а "
          "«choose_path» ({measures.yaml}:{- id: choose_path}) того же действия «choose» без срока "
          "(«ongoing: until_employed»): меры одного действия сливаются в одну и должны совпадать "
          "в «ongoing» и в том, выполняются ли на приёме")],
    ),
    "two measures of one action that agree": (
        [(X, "    deadline_days: 0\n", "    deadline_days: 14\n    action: choose\n"),
         (X, "    when: ready_to_study\n", "    when: ready_to_study\n    action: choose\n")],
        [],
    ),
    "a measure without an end date that has a deadline": (
        [(X, "    deadline_days: 30\n", "    deadline_days: 30\n    ongoing: always\n")],
        [(X, "deadline_days: 30", "мера «choose_training»: «ongoing: always» (постоянно) и "
          "«deadline_days» вместе — у меры без срока не бывает срока; оставьте одно")],
    ),
    # ------------------------------------------------------------------ values and reachability
    "unreachable: more children than max allows": (
        [(P, "when: children_count > 0", "when: children_count > 50")],
        [(P, "when: children_count > 50", "вопрос «youngest_child_birth_date» недостижим: его условие не "
                                          "выполняется ни при каких ответах")],
    ),
    "unreachable: x and not x": (
        [(M, "when: ready_to_study", "when: ready_to_study and not ready_to_study")],
        [(M, "when: ready_to_study", "вопрос «study_direction» недостижим: его условие не выполняется "
                                     "ни при каких ответах")],
    ),
    "unreachable: a section whose condition never holds": (
        [(M, "    title: Жизненная ситуация\n",
          "    title: Жизненная ситуация\n    when: children_count < 0\n")],
        [(M, "when: children_count < 0", "раздел «life_situation» недостижим: его условие не выполняется "
                                         "ни при каких ответах")],
    ),
    "a choice value the question does not have": (
        [(M, "when: salary_importance in ['decisive', 'important']", "when: salary_importance == 'hgh'")],
        [(M, "when: salary_importance", "у вопроса «salary_importance» нет варианта «hgh» "
                                        "(есть: decisive, important, secondary)"),
         (M, "when: salary_importance", "вопрос «desired_salary» недостижим: его условие не выполняется "
                                        "ни при каких ответах")],
    ),
    "a choice value in a list that the question does not have": (
        [(M, "['decisive', 'important']", "['decisive', 'importnat']")],
        [(M, "when: salary_importance", "у вопроса «salary_importance» нет варианта «importnat» "
                                        "(есть: decisive, important, secondary)")],
    ),
    "a group rule with a value the question does not have": (
        [(G, "sex == 'female'", "sex == 'woman'")],
        [(G, "rule: >-", "у вопроса «sex» нет варианта «woman» (есть: female, male)"),
         (G, "rule: >-", "группа «mother_preschool» недостижима: её правило не выполняется ни при "
                         "каких ответах")],
    ),
    "yes/no compared with a string": (
        [(M, "when: ready_to_study", "when: ready_to_study == 'yes'")],
        [(M, "when: ready_to_study", "«ready_to_study» — вопрос да/нет: сравнивайте с true/false, "
                                     "а не «yes»"),
         (M, "when: ready_to_study", "вопрос «study_direction» недостижим: его условие не выполняется "
                                     "ни при каких ответах")],
    ),
    "a group that does not exist in groups": (
        [(M, "when: ready_to_study", "when: ready_to_study and 'mother' in groups")],
        [(M, "when: ready_to_study", "нет клиентской группы «mother» (есть: mother_preschool)"),
         (M, "when: ready_to_study", "вопрос «study_direction» недостижим: его условие не выполняется "
                                     "ни при каких ответах")],
    ),
    # ------------------------------------------------------------------ expressions
    "an expression that does not parse": (
        [(P, "when: children_count > 0", "when: children_count >")],
        [(P, "when: children_count >", "«when»: выражение не разбирается: unexpected 'end of template'")],
    ),
    "Jinja braces inside a condition": (
        [(P, "when: children_count > 0", "when: \"{{ children_count }} > 0\"")],
        [(P, "when: \"{{", "«when»: выражение не разбирается: expected token ':', got '}'")],
    ),
    "an unknown filter": (
        [(P, "max: params.max_children", "max: params.max_children | round_up")],
        [(P, "round_up", "«max»: выражение не разбирается: No filter named 'round_up'.")],
    ),
    "an unknown params.x": (
        [(P, "max: params.max_children", "max: params.max_kids")],
        [(P, "max: params.max_kids", "граница max вопроса «children_count»: неизвестный параметр "
                                     "«params.max_kids»")],
    ),
    "an unknown params.x in a group rule": (
        [(G, "<= params.preschool_child_max_age", "<= params.preschool_age")],
        [(G, "rule: >-", "правило группы: неизвестный параметр «params.preschool_age»")],
    ),
    # ------------------------------------------------------------------ groups, modules, measures
    "a module for an unknown group": (
        [(M, "group: mother_preschool", "group: mothers_preschool")],
        [(M, "group: mothers_preschool", "модуль для неизвестной группы «mothers_preschool»")],
    ),
    "a measure for an unknown group": (
        [(X, "  - id: choose_path\n    groups: [mother_preschool]",
          "  - id: choose_path\n    groups: [mother]")],
        [(X, "groups: [mother]", "мера «choose_path»: неизвестная группа «mother»")],
    ),
    "a module without a group": (
        [(M, "group: mother_preschool\n", "")],
        [(M, "kind: module", "нет обязательного ключа «group»")],
    ),
}


def _expand(root: Path, text: str) -> str:
    """Replace ``{file}:{marker}`` in an expected message by that file's path and line."""
    while "{" in text and "}:{" in text:
        start = text.index("{")
        middle = text.index("}:{", start)
        end = text.index("}", middle + 3)
        rel, marker = text[start + 1:middle], text[middle + 3:end]
        text = f"{text[:start]}{root / rel}:{_marker_line(root, rel, marker)}{text[end + 1:]}"
    return text


def _marker_line(root: Path, rel: str, marker: str) -> int:
    """The line where ``marker`` starts; a marker may span lines (to make it unique)."""
    text = (root / rel).read_text(encoding="utf-8")
    assert text.count(marker) == 1, f"{rel}: marker {marker!r} must occur once"
    return text[: text.index(marker)].count("\n") + 1


@pytest.mark.parametrize("name", list(CASES))
def test_problem_is_named_with_file_and_line(tmp_path, name):
    edits, expected = CASES[name]
    root = write_base(tmp_path / "scripts")
    for rel, old, new in edits:
        edit(root, rel, old, new)
    want = [
        f"{root / rel}:{_marker_line(root, rel, marker)}: {_expand(root, message)}"
        for rel, marker, message in expected
    ]
    assert sorted(_without_parser_words(problems_of(root))) == sorted(want)


def _without_parser_words(problems: list[str]) -> list[str]:
    """YAML syntax problems end with the parser's own words in brackets, which differ
    between libyaml and pure-Python PyYAML; the explanation before them is ours."""
    return [re.sub(r" \([^()]*\)$", "", p) if "это не YAML" in p else p for p in problems]


def test_two_profiles(tmp_path):
    root = write_base(tmp_path / "scripts")
    shutil.copy(root / P, root / "another_profile.yaml")
    first, second = sorted([root / "another_profile.yaml", root / P])
    assert problems_of(root) == [f"{second}:1: второй сценарий профилирования (первый: {first})"]


def test_two_modules_for_one_group(tmp_path):
    root = write_base(tmp_path / "scripts")
    other = root / "modules" / "other.yaml"
    other.write_text(
        "kind: module\nid: other\nversion: 1\ntitle: Ещё модуль\ngroup: mother_preschool\n"
        "sections:\n  - id: more\n    title: Ещё\n    questions:\n"
        "      - {id: remote_work, type: yes_no, ask: 'Удалённая работа?'}\n",
        encoding="utf-8",
    )
    # Modules are ordered by ``order`` (default 100), so mother_preschool (40) comes first.
    assert problems_of(root) == [
        f"{other}:5: второй модуль для группы «mother_preschool» (первый: {root / M}:5)"
    ]


def test_a_param_set_twice_names_the_first_file(tmp_path):
    root = write_base(tmp_path / "scripts")
    (root / "more_groups.yaml").write_text(
        "kind: groups\nid: more\nversion: 1\ntitle: Ещё правила\n"
        "params:\n  max_children: 30\ngroups: []\n",
        encoding="utf-8",
    )
    assert problems_of(root) == [
        f"{root / 'more_groups.yaml'}:6: параметр «max_children» уже задан (впервые: {root / G}:6)"
    ]


def test_a_file_that_is_a_list(tmp_path):
    root = write_base(tmp_path / "scripts")
    (root / "notes.yaml").write_text("- первое\n- второе\n", encoding="utf-8")
    assert problems_of(root) == [
        f"{root / 'notes.yaml'}:1: сценарий должен быть словарём (ключ: значение), а не список"
    ]


def test_an_empty_file(tmp_path):
    root = write_base(tmp_path / "scripts")
    (root / "empty.yaml").write_text("# пока пусто\n", encoding="utf-8")
    assert problems_of(root) == [f"{root / 'empty.yaml'}:1: файл пуст"]


def test_an_empty_directory(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert problems_of(empty) == [f"{empty}:0: в каталоге нет файлов сценариев (*.yaml)"]


def test_a_missing_path(tmp_path):
    missing = tmp_path / "no_such_dir"
    assert problems_of(missing) == [f"{missing}:0: нет такого файла или каталога"]


def test_a_script_set_without_profile_and_groups(tmp_path):
    root = write_base(tmp_path / "scripts")
    (root / P).unlink()
    (root / G).unlink()
    problems = problems_of(root)
    first = sorted(root.rglob("*.yaml"))[0]
    assert f"{first}:0: нет сценария профилирования (kind: profile)" in problems
    assert f"{first}:0: нет правил клиентских групп (kind: groups)" in problems


@pytest.mark.parametrize(
    "condition",
    [
        "1 / (children_count - children_count) > 0",  # ZeroDivisionError at evaluation
        "age(last_name) > 5",  # a date function given text
        "add_years(birth_date, 'x') > today",  # not a number of years
    ],
)
def test_a_condition_that_fails_when_evaluated_does_not_crash_the_check(tmp_path, condition):
    root = write_base(tmp_path / "scripts")
    edit(root, P, "when: children_count > 0", f"when: {condition}")
    # The search for answers cannot tell, so it claims nothing; the check must not crash.
    assert problems_of(root) == []


def test_problems_in_several_files_are_all_reported(tmp_path):
    root = write_base(tmp_path / "scripts")
    edit(root, P, "type: text", "type: string")
    edit(root, X, "responsible: both\n    deadline_days: 0", "responsible: nobody\n    deadline_days: 0")
    # Sorted by file, then line: the order a script editor goes through them.
    assert problems_of(root) == [
        f"{root / X}:{_marker_line(root, X, 'nobody')}: «responsible» должен быть одним из: client, "
        "centre, both",
        f"{root / P}:{_marker_line(root, P, 'string')}: неизвестный тип вопроса «string» "
        "(допустимы: text, long_text, integer, number, date, yes_no, choice, multi_choice, phone)",
    ]


# ---------------------------------------------------------------------------- the documented example

DATA = ROOT / "tests" / "data"
DOC = ROOT / "docs" / "scripts.md"
EXAMPLE = {
    "example_groups.yaml": "example_groups.yaml",
    "example_module.yaml": "modules/example_module.yaml",
    "example_measures.yaml": "example_measures.yaml",
}


def example_set(tmp_path: Path) -> Path:
    """The bundled scripts plus the example of docs/scripts.md, as a script editor adds it."""
    root = tmp_path / "interview"
    shutil.copytree(scripts_dir(), root)
    for name, rel in EXAMPLE.items():
        shutil.copy(DATA / name, root / rel)
    return root


def test_the_documented_example_passes_check_with_the_bundled_scripts(tmp_path):
    bundle, problems = load_bundle([example_set(tmp_path)])
    assert [str(p) for p in problems] == []
    assert bundle.group("large_family") is not None
    assert "lf_youngest_child_age" in [c.id for c in bundle.group_computed]
    module = bundle.module_for("large_family")
    assert module is not None
    assert {q.type for q in module.items() if q.is_question} >= {"yes_no", "date", "choice", "multi_choice"}
    assert any(not q.is_question for q in module.items())  # a computed value
    assert [m.id for m in bundle.measures if "large_family" in m.groups] == ["lf_fitting_vacancies"]


def test_the_documented_example_adds_a_group_the_bundle_lacks():
    """The example must stay addable: no group, parameter or id of it may be in the bundle."""
    bundled, _ = load_bundle([scripts_dir()])
    example, _ = load_bundle([DATA / name for name in EXAMPLE])
    assert {g.id for g in example.groups}.isdisjoint(g.id for g in bundled.groups)
    assert set(example.params).isdisjoint(bundled.params)
    assert {i.id for i in example.items()}.isdisjoint(i.id for i in bundled.items())
    assert {m.id for m in example.measures}.isdisjoint(m.id for m in bundled.measures)


def doc_blocks() -> dict[str, str]:
    """The YAML blocks of docs/scripts.md that are introduced by ``<!-- tests/data/NAME -->``."""
    lines = DOC.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks: dict[str, str] = {}
    for i, line in enumerate(lines):
        if line.startswith("<!-- tests/data/"):
            name = line.removeprefix("<!-- tests/data/").split()[0]
            assert lines[i + 1] == "```yaml\n", f"{name}: a ```yaml block must follow its marker"
            end = lines.index("```\n", i + 2)
            blocks[name] = "".join(lines[i + 2:end])
    return blocks


def test_the_doc_embeds_the_example_files_verbatim():
    blocks = doc_blocks()
    assert sorted(blocks) == sorted([*EXAMPLE, "example_answers.yaml"])
    for name, text in blocks.items():
        assert text == (DATA / name).read_text(encoding="utf-8"), f"docs/scripts.md differs from {name}"


def test_every_yaml_block_of_the_doc_is_valid_yaml():
    import yaml

    text = DOC.read_text(encoding="utf-8")
    chunks = text.split("```yaml\n")[1:]
    assert chunks
    for chunk in chunks:
        yaml.safe_load(chunk.split("```\n")[0])
