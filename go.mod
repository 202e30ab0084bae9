module github.com/bistand/bistand

go 1.26
