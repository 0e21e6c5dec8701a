from flowops.cli import main

raise SystemExit(main())
