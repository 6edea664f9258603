"""The semantic rules, one module per area; importing this package registers them all."""

from alblab.strict.rules import ec2, listeners, load_balancers, target_groups, waf

__all__ = ["ec2", "listeners", "load_balancers", "target_groups", "waf"]
