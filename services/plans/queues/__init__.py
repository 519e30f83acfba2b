"""The therapist queues: which plans need a recertification, a progress report, a new
authorization or a look at a red flag."""
