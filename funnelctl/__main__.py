from funnelctl.cli.root import main

main()
