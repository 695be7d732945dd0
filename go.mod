module espacepro

go 1.26
