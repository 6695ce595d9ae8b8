"""The centre's and the case worker's details the format tests print (as
``Settings.office(login)`` gives them), and the meta of a desk interview."""

from __future__ import annotations

OFFICE = {
    "centre": {"name": "ГОБУ ЦЗН г. Мурманска", "address": "г. Мурманск, ул. Полярные Зори, д. 46",
               "phone": "+7 (8152) 45-67-89", "hours": "пн–чт 9:00–17:15, пт 9:00–16:00"},
    "curator": {"login": "ivanova", "full_name": "Иванова Анна Петровна", "position": "ведущий инспектор",
                "phone": "+7 (8152) 45-67-90", "office": "214"},
}
META = {"mode": "inspector", "id": "20261127-101500-0a1b2c", "inspector": "ivanova", "groups_confirmed": True}
