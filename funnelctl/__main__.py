from funnelctl.cli.app import main

main()
