"""Write-side of the dashboard: diagnostics precomputation and the audit."""
