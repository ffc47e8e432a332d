"""The closed loop's SQL records: cases, audit, orders, accounts and the jobs that read and write them."""
