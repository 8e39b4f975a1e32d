#!/usr/bin/env python3
"""Transforms template.yaml offline with aws-sam-translator (what `sam validate` and CloudFormation's
AWS::Serverless transform do) and prints the resources it becomes, as JSON: {"total": n, "by_type": {type: n}}.

CloudFormation refuses a stack of more than 500 resources; tests/e2e/template_and_events.rs holds the count."""
import json
import os
import sys
from collections import Counter

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names managed policies by ARN only, so there is nothing to look up in IAM."""

    def load(self):
        return {}


def main(path):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        # As `sam validate` does: a local CodeUri stands for the S3 object `sam package` would upload.
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = "s3://bucket/" + props["CodeUri"]
    resources = transform(template, {}, NoManagedPolicies())["Resources"]
    by_type = Counter(r["Type"] for r in resources.values())
    print(json.dumps({"total": len(resources), "by_type": dict(sorted(by_type.items()))}))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")
