"""derive grade: find each exercise's answer in a class's hand-in notebooks, judge it with derive.check, report."""
