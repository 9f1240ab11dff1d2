DROP TABLE close_days;
DROP TABLE close_coverage;
DROP TABLE daily_closes;
