#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validate a JSON file against a JSON Schema (the subset our schemas use).

    scripts/json-schema-check.py SCHEMA FILE

Supported keywords: type, enum, const, properties, required,
additionalProperties (boolean or schema), propertyNames, items, minimum,
maximum, exclusiveMinimum, pattern, oneOf, $ref to "#/$defs/NAME".  An
unknown keyword in the schema is an error, so the schema cannot claim
more than is checked.  Standard library only: Debian's python3 has no
jsonschema module by default.  Prints every violation with its JSON path;
exits 0 if valid, 1 if not, 2 on bad input.
"""
import json
import re
import sys

KNOWN = {"$schema", "$id", "$defs", "$ref", "title", "description", "type",
         "enum", "const", "properties", "required", "additionalProperties",
         "propertyNames", "items", "minimum", "maximum", "exclusiveMinimum",
         "pattern", "oneOf"}

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


class Checker:
    def __init__(self, root):
        self.root = root
        self.errors = []

    def resolve(self, ref):
        if not ref.startswith("#/$defs/"):
            raise ValueError("unsupported $ref %r" % ref)
        return self.root["$defs"][ref[len("#/$defs/"):]]

    def check(self, s, v, path):
        """Append violations of schema s by value v to self.errors."""
        unknown = set(s) - KNOWN
        if unknown:
            raise ValueError("schema at %s uses unsupported %s" % (path, sorted(unknown)))
        err = self.errors.append
        if "$ref" in s:
            self.check(self.resolve(s["$ref"]), v, path)
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not any(TYPES[t](v) for t in types):
                err("%s: %r is not of type %s" % (path, v, "/".join(types)))
                return
        if "enum" in s and not any(v == e and type(v) is type(e) for e in s["enum"]):
            err("%s: %r is not one of %r" % (path, v, s["enum"]))
        if "const" in s and v != s["const"]:
            err("%s: %r is not %r" % (path, v, s["const"]))
        if "oneOf" in s:
            matched = 0
            for sub in s["oneOf"]:
                trial = Checker(self.root)
                trial.check(sub, v, path)
                matched += not trial.errors
            if matched != 1:
                err("%s: matches %d of the oneOf alternatives, not 1" % (path, matched))
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if "minimum" in s and v < s["minimum"]:
                err("%s: %r < minimum %r" % (path, v, s["minimum"]))
            if "maximum" in s and v > s["maximum"]:
                err("%s: %r > maximum %r" % (path, v, s["maximum"]))
            if "exclusiveMinimum" in s and v <= s["exclusiveMinimum"]:
                err("%s: %r <= exclusiveMinimum %r" % (path, v, s["exclusiveMinimum"]))
        if isinstance(v, str) and "pattern" in s and not re.search(s["pattern"], v):
            err("%s: %r does not match %r" % (path, v, s["pattern"]))
        if isinstance(v, list) and "items" in s:
            for i, item in enumerate(v):
                self.check(s["items"], item, "%s[%d]" % (path, i))
        if isinstance(v, dict):
            self.check_object(s, v, path)

    def check_object(self, s, v, path):
        props = s.get("properties", {})
        for key in s.get("required", []):
            if key not in v:
                self.errors.append("%s: required key %r missing" % (path, key))
        for key, val in v.items():
            sub = "%s.%s" % (path, key)
            if "propertyNames" in s:
                self.check(s["propertyNames"], key, sub + " (name)")
            if key in props:
                self.check(props[key], val, sub)
            elif s.get("additionalProperties", True) is False:
                self.errors.append("%s: key not allowed by the schema" % sub)
            elif isinstance(s.get("additionalProperties"), dict):
                self.check(s["additionalProperties"], val, sub)


def main():
    if len(sys.argv) != 3:
        print("usage: json-schema-check.py SCHEMA FILE", file=sys.stderr)
        return 2
    loaded = []
    for name in sys.argv[1:]:
        try:
            with open(name, encoding="utf-8") as f:
                loaded.append(json.load(f))
        except (OSError, ValueError) as e:
            print("%s: %s" % (name, e), file=sys.stderr)
            return 2
    schema, doc = loaded
    checker = Checker(schema)
    try:
        checker.check(schema, doc, "$")
    except (ValueError, KeyError) as e:
        print("%s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 2
    for e in checker.errors:
        print("%s: %s" % (sys.argv[2], e))
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main())
