from voicecoach.commands.cli import main

main()
