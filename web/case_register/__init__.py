"""The case register (办件台账): every case a person may see, searched and filtered, and its Excel sheet."""
