from rmtui.cli import main

main()
