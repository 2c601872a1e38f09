"""The shape of one specialisation's texts."""

from typing import NamedTuple


class SpecialisationText(NamedTuple):
    titles: tuple
    ages: tuple  # (from, to) in full years
    intro: tuple
    topics: tuple
    skills: tuple
    goal: str
    finale: str
    equipment: str
    price: int  # monthly, roubles, in the city


def text(titles, ages, intro, topics, skills, goal, finale, equipment, price):
    return SpecialisationText(tuple(titles), ages, tuple(intro), tuple(topics), tuple(skills),
                              goal, finale, equipment, price)
