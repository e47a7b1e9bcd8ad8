from leadqueue.cli.main import main

raise SystemExit(main())
