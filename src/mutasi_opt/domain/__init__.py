"""The domain: values (NIP, golongan, months), entities and the Problem, errors, limits."""
