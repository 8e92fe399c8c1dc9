"""Joint review (联审联办): the countersigned opinions of the lead and co-reviewing departments."""
