"""Pages of enrolment: the parent's cabinet and the apply page (``cabinet``), the provider's
applications and walk-ins (``office``), the МОЦ's children and duplicates (``children``).

Every object is looked up among the rows the user may see (the selectors or
``scope.actionable``), so an id of another family or organization is a 404; every change
goes through ``enrollment.services`` or ``enrollment.children``."""
