"""The project payroll watch (PW rules): one durable workflow per construction project."""
