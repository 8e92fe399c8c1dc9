"""The clerk's workspace: new applications, notices, the clerk's cases."""
