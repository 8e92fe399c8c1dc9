"""Online pre-applications (待接件) posted by the provincial platform, waiting for the window's clerk."""
