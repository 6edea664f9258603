"""Verdicts computed from the API's state alone: SG reachability (``reach``) and ALB rule routing
(``routing``). Plain functions on ``alblab.model``; no I/O."""
