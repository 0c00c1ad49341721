"""The material and the plan of `manage.py seed_demo`: Vietnamese names, Hanoi places, what
residents write and units answer, stand-in photos (pure Python and Pillow), and the planner
that decides what happens to each demo report and when (`plan.py`)."""
