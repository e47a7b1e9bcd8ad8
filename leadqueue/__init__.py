"""leadqueue: work the queue of leads marketing assigned to you, within SLA."""

__version__ = "0.1.0"
