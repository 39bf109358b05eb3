"""Pure views: functions of (deals, pipeline, today) that return plain data.

Nothing here reads files, prints, or calls the clock.
"""
