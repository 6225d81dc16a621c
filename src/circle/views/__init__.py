"""What people see, computed once from the state: the live view, the follow state, the session report, exports."""
