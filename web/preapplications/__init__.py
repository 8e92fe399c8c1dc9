"""Online pre-applications (待接件) at the window, the platform's API, and the service accounts it calls with."""
