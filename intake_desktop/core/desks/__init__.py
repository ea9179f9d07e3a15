"""What the window's pages ask of core (no Qt here): one module per page task.

- rules_draft      check, preview (saved rules vs. the edited text) and save naming rules
                   with the naming-rules engine
- settings_files   validate and save the intake folders and Bates defaults the admin edits
- exhibit_builder  documents picked in the builder become an exhibit-set spec, checked and built
"""
