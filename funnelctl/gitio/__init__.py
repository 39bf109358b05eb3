"""Everything that runs git. ``run`` is the one module that calls the git binary
(argument lists, never a shell); the other modules are pure functions over what it
returns (a merge of three deals, a file's timeline, an audit of commits), tested
against real repositories."""
