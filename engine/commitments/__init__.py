"""容缺受理 + 承诺制: materials accepted on the applicant's written commitment to supply them."""
