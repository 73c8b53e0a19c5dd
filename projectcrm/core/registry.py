"""The list of registers, read from each area app's `registers.REGISTERS`.

Plain imports, no plugin discovery: an area app that has registers is named in AREA_APPS.
"""

from functools import cache
from importlib import import_module

AREA_APPS = [
    "roadmap",
    "evaluation",
    "projectcrm.design",
    "training",
    "testing",
    "projectcrm.governance",
    "projectcrm.reports",
]


@cache
def all_registers() -> list:
    registers = []
    for app in AREA_APPS:
        registers.extend(import_module(f"{app}.registers").REGISTERS)
    return registers


def get_register(key: str):
    for register in all_registers():
        if register.key() == key:
            return register
    raise LookupError(key)

