"""The HTTP API over both apps: the top floor (STYLE.md rule 2).

`base` holds the plumbing (who may call, paging, throttling, conditional GET, errors); one
module per resource family holds its views and serializers: `claims` and `claim_serializers`,
`sources` and `source_serializers`, and `filters`. The apps below import nothing from here.
"""
