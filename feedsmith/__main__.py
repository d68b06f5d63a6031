from feedsmith.cli import main

main()
