# Debian's python3-jinja2 with markupsafe and its C speedups (a third-party
# extension module, packed): templates from a
# package loader, autoescaping, filters, inheritance, and metadata.
import importlib.metadata

import jinja2

env = jinja2.Environment(
    loader=jinja2.DictLoader({
        "base.html": "<h1>{% block title %}{% endblock %}</h1>{% block body %}{% endblock %}",
        "page.html": "{% extends 'base.html' %}{% block title %}{{ title|title }}{% endblock %}"
                     "{% block body %}<ul>{% for k, v in items|dictsort %}<li>{{ k }}={{ v }}</li>"
                     "{% endfor %}</ul>{{ raw }}{% endblock %}",
    }),
    autoescape=True,
)
print(env.get_template("page.html").render(title="hello <world>", items={"b": 2, "a": "<1>"},
                                           raw=jinja2.filters.Markup("<b>ok</b>")))
print(env.from_string("{{ 3 * 7 }} {{ 'x'|center(5) }}|").render())
print(sorted(importlib.metadata.version(d) for d in ("Jinja2", "MarkupSafe")))
import markupsafe
print(markupsafe.escape.__module__, markupsafe.Markup("<i>x</i>").striptags())
