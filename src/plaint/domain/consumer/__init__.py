"""The consumer's own workspace, in pure Python: the interview's questions and how each
answer is checked, what to send next, the calendar file, the cover sheet for posting and
the YAML case file written back out. The letters themselves are `plaint.domain.letters`."""
