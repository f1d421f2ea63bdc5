"""mypkg.sub: a subpackage."""
LEVEL = "sub"
