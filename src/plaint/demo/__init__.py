"""Demo data for a first look at Plaint.

`cfpb_demo.csv` holds real complaints from the US CFPB Consumer Complaint Database, a US
government work in the public domain (17 U.S.C. 105); see README.md beside it.
"""
