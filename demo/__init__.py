"""Demo and load-test data generators, kept out of the product's apps."""
