"""Every schema of the API has a name of its own: the OpenAPI document keys its
components by class name, so a second class of the same name silently replaces the
first and the document describes the wrong fields."""

from collections import defaultdict

from pydantic import BaseModel


def schema_classes(base=BaseModel):
    """Every pydantic model defined in the project, after the API has been assembled."""
    import opora.api.api  # noqa: F401 — imports every app's router and its schemas

    found, stack = [], [base]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.startswith("opora."):
                found.append(subclass)
    return found


def names_used_twice(classes) -> dict[str, list[str]]:
    modules = defaultdict(set)
    for cls in classes:
        modules[cls.__name__].add(cls.__module__)
    return {name: sorted(where) for name, where in modules.items() if len(where) > 1}


def test_no_two_api_schemas_share_a_name():
    assert names_used_twice(schema_classes()) == {}


def test_a_second_schema_of_the_same_name_is_reported():
    # given two apps that both define ``OrganizationRef``, as registry and enrollment once did
    first = type("OrganizationRef", (), {"__module__": "opora.registry.api"})
    second = type("OrganizationRef", (), {"__module__": "opora.enrollment.api"})

    # then the check names both places
    assert names_used_twice([first, second]) == {
        "OrganizationRef": ["opora.enrollment.api", "opora.registry.api"]}
