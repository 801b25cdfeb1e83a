"""`python -m cleaner.spark ...`, and the script spark-submit runs (`python -m cleaner.spark
--script` prints its path). Absolute imports: spark-submit runs this file outside its package."""

import sys

from cleaner.spark.job import main

if __name__ == "__main__":
    sys.exit(main())
