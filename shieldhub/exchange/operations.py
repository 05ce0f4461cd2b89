"""Closed groups for operations: the operational-message form and the end of an operation.
(Contract stub: filled in by the operations work.)"""

from __future__ import annotations
