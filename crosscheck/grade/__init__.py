"""``crosscheck grade``: a whole class at once.

- :mod:`~crosscheck.grade.submissions`: the folder of submissions, one student each, and the
  deterministic shard of them a run grades.
- :mod:`~crosscheck.grade.student`: one student graded (``verify`` or ``verify-layer`` in a
  worker, as those commands do) into a plain record and their report files.
- :mod:`~crosscheck.grade.pool`: ``--jobs`` grading processes, each loading the frameworks
  once and grading one student after another.
- :mod:`~crosscheck.grade.classroom`: the whole run (the output written into a temporary
  directory, renamed into place at the end), the class report, and ``crosscheck merge``.
"""
