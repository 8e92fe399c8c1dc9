"""The back office (后台分类审批) on a case: the clock, countersigned opinions, 容缺 commitments, the parcel."""
