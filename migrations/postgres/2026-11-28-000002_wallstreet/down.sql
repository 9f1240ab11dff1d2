DROP TABLE selections;
DROP TABLE options;
DROP TABLE weeks;
