"""mypkg.sub.deep: a sub-subpackage."""
from ...util import slugify as _slugify

TAG = _slugify("Deep Package!")
