import Foundation

BenchCommand.main()
