from signage.cli.main import main

raise SystemExit(main())
