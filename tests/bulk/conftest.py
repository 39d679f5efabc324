from tests.desk.conftest import (  # noqa: F401 - the desk's signed-in clients
    admin_of_org,
    as_agent,
    as_outsider,
    as_supervisor,
    other_agent,
)
