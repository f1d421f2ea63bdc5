# pkg_resources (deprecated, still imported by older code): it imports,
# and its working set and resource functions see the packed distributions
# and packages as they see installed ones under python3.11.
import pkg_resources
import requests
import certifi
print(pkg_resources.resource_exists("requests", "__init__.py"))
print(pkg_resources.get_distribution("requests").version >= "2")
print(pkg_resources.get_distribution("certifi").project_name)
print(len(pkg_resources.resource_string("certifi", "cacert.pem") or b"") >= 0)
print(sorted(d.project_name for d in pkg_resources.working_set if d.project_name in ("requests", "idna")))
